"""Data hub (一数一源): the domain model, importers and the one door to the district's data."""
