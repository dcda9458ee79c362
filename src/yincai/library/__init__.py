"""The resource library (资源库): teaching material imported from Markdown, HTML, PDF and DOCX,
tagged with subject, grade, knowledge points and licence, cut into chunks at its headings and
searched offline through ``yincai.retrieval``."""
