"""The district's data (一数一源): the domain model every capability reads (district, school, class,
teacher, student, subject, knowledge point, item, assessment, score, learning log, growth record)
and the few queries that define totals and full scores once. The hub fills it (importers,
directory); governance scopes it; nothing here imports a capability."""
