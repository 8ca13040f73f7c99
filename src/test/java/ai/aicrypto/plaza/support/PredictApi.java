package ai.aicrypto.plaza.support;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** The public predict API as a script calls it: {@code POST /api/v1/models/{id}/predict}, JSON, a bearer token. */
public final class PredictApi {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private PredictApi() {
    }

    /** The request, for a caller that sends it with a client of its own (the benches time it). */
    public static HttpRequest request(String plazaUrl, long modelId, String token, String jsonBody) {
        return HttpRequest.newBuilder(URI.create(plazaUrl + "/api/v1/models/" + modelId + "/predict"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(jsonBody)).build();
    }

    public static HttpResponse<String> call(String plazaUrl, long modelId, String token, String jsonBody)
            throws IOException, InterruptedException {
        return HTTP.send(request(plazaUrl, modelId, token, jsonBody), HttpResponse.BodyHandlers.ofString());
    }
}
