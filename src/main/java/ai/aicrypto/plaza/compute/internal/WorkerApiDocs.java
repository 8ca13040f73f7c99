package ai.aicrypto.plaza.compute.internal;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The OpenAPI description of the worker API, served at /v3/api-docs for worker implementers (with the members'
 * model API, which describes itself where it is declared).
 */
@Configuration(proxyBeanMethods = false)
class WorkerApiDocs {

    @Bean
    OpenAPI workerApiDescription() {
        return new OpenAPI()
                .info(new Info().title("AI PLAZA machine APIs").version("v1").description("""
                        Members' scripts call models with a personal API token (Profile, API tokens): \
                        POST /api/v1/models/{id}/predict, tagged Models below. The rest is the worker API. \
                        How a GPU worker takes part: heartbeat with its engine, memory, cached datasets and start-up \
                        benchmark; lease the next job (204 when none fits) with its model card, hyperparameters, the \
                        list of training shards (for each an id of this worker's copy, the same in every lease until the \
                        dataset's shards are re-encrypted) and this worker's AES-256-GCM key that decrypts them; download \
                        each shard not cached yet (the GCM tag authenticates it); for a fine-tuning job (its lease says parentWeights: true) \
                        download the parent model's weights once (GET .../parent-weights, safetensors encrypted under the \
                        same key as the shards: the 12-byte nonce, then the ciphertext and tag; 404 for a job without a \
                        parent) and train from them, with a new zero head when the classes differ; renew the lease before it expires (2 minutes); report progress; \
                        upload the weights (PUT, safetensors), commit the SHA-256 of the checkpoint after every epoch \
                        (POST .../checkpoints; 0 = the initial state), upload the checkpoints the answer asks for (PUT \
                        .../checkpoints/{epoch}) and complete with the claimed metrics, or fail with a reason. The \
                        answer to complete is the plaza's verdict: the weights are measured on a held-out split the \
                        worker never receives. An audited job's drawn epoch is trained again by another provider's \
                        worker: its lease names the epoch, it downloads the original's checkpoint before it (GET \
                        .../checkpoints/start), trains that epoch only and uploads its checkpoint as the weights. A lease that is not renewed expires and the job goes back to \
                        the queue. Job routes answer 404 for a job the calling worker never held and 409 for one it \
                        holds no longer (expired, cancelled, finished): the worker then abandons it."""))
                .components(new Components().addSecuritySchemes("worker-token",
                        new SecurityScheme().type(SecurityScheme.Type.HTTP).scheme("bearer")
                                .description("The token shown once when the provider registered the GPU offer"))
                        .addSecuritySchemes("member-token", new SecurityScheme().type(SecurityScheme.Type.HTTP).scheme("bearer")
                                .description("A member's personal API token (Profile, API tokens; shown once when made)")))
                .addSecurityItem(new SecurityRequirement().addList("worker-token"));
    }
}
