"""Pages (htmx partials when the request comes from htmx), one module per noun: `customers` (list,
detail, create, edit, profile sections, export), `history` (timeline, interactions), `imports`,
`dedupe` (the scan) and `merging` (the review queue, compare and merge, undo)."""
