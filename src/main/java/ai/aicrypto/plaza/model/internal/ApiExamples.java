package ai.aicrypto.plaza.model.internal;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import ai.aicrypto.plaza.dataset.format.Preprocessing;
import tools.jackson.databind.json.JsonMapper;

/**
 * How to call a model's API, made from its card: the request's fields (each input column with its type and values,
 * or the image), and a curl and a Python call of it (an image model's with the pictures as files). The
 * token is never written: the examples read it from {@code $PLAZA_TOKEN}.
 *
 * @param fields  one line per input: name, type and what it takes
 * @param curl    the call with curl
 * @param python  the call with Python's requests
 * @param explain the message key that says how the request carries its instances
 * @param takesFiles whether pictures may come as multipart files (which have their own size limit)
 */
record ApiExamples(List<Field> fields, String curl, String python, String explain, boolean takesFiles) {

    /**
     * @param accepts    the message key of what it takes, in the reader's language
     * @param acceptsArg that message's argument: the image size, or the column's values
     */
    record Field(String name, String type, String accepts, String acceptsArg) {
    }

    static ApiExamples of(long modelId, Preprocessing input, String baseUrl, JsonMapper json) {
        String url = baseUrl + "/api/v1/models/" + modelId + "/predict";
        if (input.forImages()) {
            return forImages(url, input);
        }
        List<Field> fields = input.columns().stream().map(c -> c.values() != null && !c.values().isEmpty()
                        ? new Field(c.name(), c.numeric() ? "number" : "string", "model.api.accepts.values", String.join(", ", c.values()))
                        : new Field(c.name(), c.numeric() ? "number" : "string", c.numeric() ? "model.api.accepts.number"
                                : c.freeText() ? "model.api.accepts.free-text" : "model.api.accepts.text", null))
                .toList();
        Map<String, Object> instance = new LinkedHashMap<>();
        for (Preprocessing.Column c : input.columns()) {
            instance.put(c.name(), c.numeric() ? Math.round((c.mean() == null ? 0 : c.mean()) * 100) / 100.0
                    : c.values() != null && !c.values().isEmpty() ? c.values().get(0) : c.freeText() ? "Any text to classify" : "");
        }
        Map<String, Object> request = Map.of("instances", List.of(instance));
        String oneLine = json.writeValueAsString(request);
        String curl = "curl -H \"Authorization: Bearer $PLAZA_TOKEN\" -H \"Content-Type: application/json\" \\\n     -d '"
                + oneLine.replace("'", "'\\''") + "' \\\n     " + url;
        String python = """
                import os, requests

                answer = requests.post(
                    "%s",
                    headers={"Authorization": "Bearer " + os.environ["PLAZA_TOKEN"]},
                    json=%s,
                )
                print(answer.status_code, answer.json())""".formatted(url,
                json.writerWithDefaultPrettyPrinter().writeValueAsString(request).indent(4).strip());
        return new ApiExamples(fields, curl, python, "model.api.request.explain", false);
    }

    /** Pictures are simplest sent as files, one multipart part each (no base64). */
    private static ApiExamples forImages(String url, Preprocessing input) {
        List<Field> fields = List.of(new Field("image", "file (multipart) or string (base64 in JSON)", "model.api.accepts.image",
                input.image().width() + " x " + input.image().height()));
        String curl = "curl -H \"Authorization: Bearer $PLAZA_TOKEN\" -F image=@picture.png -F image=@another.jpg \\\n     " + url;
        String python = """
                import os, requests

                answer = requests.post(
                    "%s",
                    headers={"Authorization": "Bearer " + os.environ["PLAZA_TOKEN"]},
                    files=[("image", open("picture.png", "rb")), ("image", open("another.jpg", "rb"))],
                )
                print(answer.status_code, answer.json())""".formatted(url);
        return new ApiExamples(fields, curl, python, "model.api.request.explain.images", true);
    }
}
