/**
 * GPU capacity and training jobs: providers' offers and their workers (bearer tokens), the job
 * queue in PostgreSQL with SKIP LOCKED leases that expire, and the worker API under
 * /api/worker/v1. Matching by data locality prefers a worker that already caches the dataset.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Compute")
package ai.aicrypto.plaza.compute;
