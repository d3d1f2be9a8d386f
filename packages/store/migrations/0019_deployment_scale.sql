-- Deployments at fleet scale (#17): the orchestrator reads a deployment's tasks by status
-- (counts per ring and status, the queued tasks of a ring in id order, the in-flight ones
-- to time out) and the deployment view pages its tasks by (ring, hostname, id).
CREATE INDEX deployment_task_tick ON deployment_task (deployment_id, status, ring, id);
CREATE INDEX deployment_task_view ON deployment_task (deployment_id, ring, hostname, id);
