package ai.aicrypto.plaza.compute.internal;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The OpenAPI description of the worker API, served at /v3/api-docs for worker implementers. */
@Configuration(proxyBeanMethods = false)
class WorkerApiDocs {

    @Bean
    OpenAPI workerApiDescription() {
        return new OpenAPI()
                .info(new Info().title("AI PLAZA worker API").version("v1").description("""
                        How a GPU worker takes part: heartbeat with its engine, memory and cached datasets; \
                        lease the next job (204 when none fits); renew the lease before it expires (2 minutes); \
                        report progress; complete with metrics or fail with a reason. A lease that is not renewed \
                        expires and the job goes back to the queue. Every job route answers 404 for a job that \
                        is not leased to the calling worker."""))
                .components(new Components().addSecuritySchemes("worker-token",
                        new SecurityScheme().type(SecurityScheme.Type.HTTP).scheme("bearer")
                                .description("The token shown once when the provider registered the GPU offer")))
                .addSecurityItem(new SecurityRequirement().addList("worker-token"));
    }
}
