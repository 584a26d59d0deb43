// Placeholder kept so the page can load site-wide scripts; search folding happens at build time.
