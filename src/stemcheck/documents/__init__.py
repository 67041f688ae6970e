"""Documents: decoding files, segmenting Markdown/HTML/text into located sentences,
spotting checkable claims, and suppression comments."""
