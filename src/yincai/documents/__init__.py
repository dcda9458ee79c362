"""Documents built ahead of time (长文档): long PDFs, such as a class's practice booklets, built
by the job worker with their progress stored, kept by the data version they were built from, and
downloaded by the people in scope. ``service`` is the capability's one door, ``build`` the job."""
