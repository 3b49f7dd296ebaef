"""Reads, one module per entity: `content` (courses, sections, quizzes, problems, versions),
`attempts`, `submissions`, `progress` (a learner's, per problem and section) and `authoring`."""
