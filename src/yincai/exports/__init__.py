"""Exports built ahead of time for a district's other systems: the OneRoster 1.2 CSV ZIP
(``oneroster``), asked for as a stored request (``service``, the capability's one door), built by
the job worker with its progress stored (``build``), kept by the data version it was built from
as a file in the data folder, and downloaded by the district's administrators."""
