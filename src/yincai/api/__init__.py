"""The versioned JSON API (``/api/v1``) and the OneRoster 1.2 CSV export's routes and command, for
a district's other systems: rosters, assessments, results, mastery and warnings, read through the
capabilities' services (scope checks and the audit of every read of a student's records happen
there or in ``api.service``), every list paged by an opaque cursor (``api.paging``); the export
itself is asked for, built and kept by ``yincai.exports``."""
