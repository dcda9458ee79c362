"""The assistant (AI 助教 / 学伴): answers from the library with citations, a language model
optional (OpenAI-compatible), hints instead of answers for a student's open work."""
