"""Answer sheets and scan reading (the reading part of 网络阅卷): the sheet layout shared by the
printer and the reader, OMRChecker templates, page registration, calibrated bubble reading,
student identification, crops of subjective regions, batches over processes, and a seeded
simulator of filled and degraded scans. Pure: no web, database or settings code
(docs/marking.md)."""
