"""Privacy of students' data: subject access, erasure, guardian consent, retention."""
