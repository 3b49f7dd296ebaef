"""Server-rendered pages for learners, one module per part of the site. Reads go through
`problems.selectors`, writes through `problems.services`; who may see what is `problems.access`'s."""
