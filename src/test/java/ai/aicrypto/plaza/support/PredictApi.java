package ai.aicrypto.plaza.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
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

    /** Pictures as files: a multipart/form-data body of one part named {@code partName} per picture, as curl -F sends. */
    public static HttpRequest filesRequest(String plazaUrl, long modelId, String token, String language, String partName,
                                           List<byte[]> pictures) {
        String boundary = "----plaza-picture-files";
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (int i = 0; i < pictures.size(); i++) {
            body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + partName + "\"; filename=\"picture-"
                    + i + "\"\r\nContent-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            body.writeBytes(pictures.get(i));
            body.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        body.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        return HttpRequest.newBuilder(URI.create(plazaUrl + "/api/v1/models/" + modelId + "/predict"))
                .header("Authorization", "Bearer " + token).header("Accept-Language", language)
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build();
    }

    public static HttpResponse<String> callWithFiles(String plazaUrl, long modelId, String token, String language,
                                                     String partName, List<byte[]> pictures)
            throws IOException, InterruptedException {
        return HTTP.send(filesRequest(plazaUrl, modelId, token, language, partName, pictures), HttpResponse.BodyHandlers.ofString());
    }
}
