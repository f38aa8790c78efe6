-- Typed answers in applications (issue 24), version 8. `flow_json` is the
-- typed flow (yuesou-flows, the shape of GET /api/v1/items/{id}/flow
-- without step schemas and prefill) as served when the draft started: editing data/flows/
-- never changes a draft under a person's feet. With a flow, `answers_json`
-- maps step index -> field -> typed JSON value (checked by the server
-- against that flow); without (drafts started before version 8, NULL) it
-- keeps the textual answers (step index -> key -> string) of the old path.
ALTER TABLE applications ADD COLUMN flow_json TEXT;
