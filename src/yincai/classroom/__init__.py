"""The classroom loop (课前–课中–课后): preview quiz, live class page, after-class practice."""
