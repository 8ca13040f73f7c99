/**
 * GPU capacity and training jobs: providers' offers and their workers (bearer tokens), the job
 * queue in PostgreSQL with SKIP LOCKED leases that expire, and the worker API under
 * /api/worker/v1. Matching by data locality prefers a worker that already caches the dataset.
 * Workers train on a dataset's training split only; the app verifies every result on the held-out
 * rows before the {@link ai.aicrypto.plaza.compute.Settlement} pays anyone, and a verified result
 * becomes a private model listing of the requester with a training record.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Compute")
package ai.aicrypto.plaza.compute;
