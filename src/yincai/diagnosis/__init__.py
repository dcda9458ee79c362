"""Diagnosis (智能诊断): each student's mastery of each knowledge point, with its uncertainty."""
