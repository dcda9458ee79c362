"""Guardian consent for under-14s (PIPL art. 31): the rule the diagnosis and practice services
apply before they read a student's responses (``service``), and the consents given (``models``).
Below those services; ``yincai.privacy`` above them manages consent with the rest of a student's
data."""
