"""The site: views across records (history, live versions, known issues), the pages rendered from
them with Jinja, the timeline, the JSON export and the pre-rendered page handling. Built on the core;
knows nothing about MkDocs."""
