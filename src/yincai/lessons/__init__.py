"""Lesson preparation (智能备课): a structured lesson-plan draft for a class and a knowledge point,
grounded in the curriculum, the resource library, the item bank and the class's own data."""
