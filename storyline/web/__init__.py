"""The web pages for people: server-rendered HTML over the same ``Library`` calls as the API,
with hand-written CSS and a little vanilla JavaScript (the timeline's zoomable axis, upload
progress). Everything is served from this package; nothing is fetched from the internet."""
