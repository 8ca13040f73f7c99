package ai.aicrypto.plaza.model.card;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.node.ObjectNode;

class ModelCardMessagesTest {

    static Properties load(String path) throws IOException {
        Properties p = new Properties();
        try (InputStream in = ModelCardMessagesTest.class.getClassLoader().getResourceAsStream(path)) {
            assertThat(in).as(path).isNotNull();
            p.load(new InputStreamReader(in, StandardCharsets.UTF_8));
        }
        return p;
    }

    static Set<String> placeholders(String pattern) {
        Set<String> out = new TreeSet<>();
        Matcher m = Pattern.compile("\\{(\\d+)").matcher(pattern);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    @Test
    void englishAndKoreanBundlesHaveTheSameKeysAndPlaceholders() throws IOException {
        Properties en = load("i18n/model-card.properties");
        Properties ko = load("i18n/model-card_ko.properties");

        assertThat(en.stringPropertyNames()).hasSizeGreaterThan(40);
        assertThat(ko.stringPropertyNames()).isEqualTo(en.stringPropertyNames());
        for (String key : en.stringPropertyNames()) {
            assertThat(placeholders(ko.getProperty(key))).as(key).isEqualTo(placeholders(en.getProperty(key)));
            assertThat(ko.getProperty(key)).as(key).matches("(?s).*[\\uAC00-\\uD7A3].*");
        }
    }

    @Test
    void everyKeyUsedInTheCodeHasAMessage() throws IOException {
        Properties en = load("i18n/model-card.properties");
        Set<String> used = new TreeSet<>();
        for (String source : new String[] {"ModelCardValidator.java", "SafetensorsInspector.java"}) {
            String text = java.nio.file.Files.readString(
                    java.nio.file.Path.of("src/main/java/ai/aicrypto/plaza/model/card", source));
            Matcher m = Pattern.compile("(?:K \\+ |fail\\([^,]+, |error\\([^,]+, )\"([a-z0-9-]+)\"").matcher(text);
            while (m.find()) {
                used.add((source.startsWith("Safetensors") ? SafetensorsInspector.K : ModelCardValidator.K) + m.group(1));
            }
        }
        for (String keyword : new String[] {"minimum", "maximum", "exclusive-minimum", "exclusive-maximum",
                "min-items", "max-items", "min-length", "max-length"}) {
            used.add(ModelCardValidator.K + keyword);
        }
        assertThat(used).hasSizeGreaterThan(40);
        assertThat(en.stringPropertyNames()).containsAll(used);
    }

    @Test
    void formatsARealErrorInEnglishAndKorean() {
        String json = ModelCardValidatorTest.edited(ModelCardValidatorTest.MLP,
                c -> ((ObjectNode) c.at("/hyperparameters/learningRate")).put("default", 0.5));
        CardFieldError error = ModelCardValidatorTest.onlyError(json, "/hyperparameters/learningRate/default",
                "model.card.error.default-out-of-range");

        assertThat(ModelCardMessages.format(error, Locale.ENGLISH))
                .isEqualTo("Default 0.5 is outside the allowed range [0.00001, 0.1].");
        assertThat(ModelCardMessages.format(error, Locale.KOREAN))
                .isEqualTo("기본값 0.5이(가) 허용 범위 [0.00001, 0.1]을(를) 벗어났습니다.");
        assertThat(ModelCardMessages.format(error, Locale.FRENCH)).startsWith("Default 0.5");
    }

    @Test
    void formatsQuotedArgumentsAndFallsBackToTheDefaultMessage() {
        CardFieldError missing = new CardFieldError("/task", "model.card.error.required", new Object[] {"task"}, "x");
        assertThat(ModelCardMessages.format(missing, Locale.ENGLISH)).isEqualTo("Required field 'task' is missing.");
        assertThat(ModelCardMessages.format(missing, Locale.KOREAN)).isEqualTo("필수 항목 'task'이(가) 없습니다.");

        CardFieldError unknown = new CardFieldError("/", "model.card.error.no-such-key", null, "fallback text");
        assertThat(ModelCardMessages.format(unknown, Locale.KOREAN)).isEqualTo("fallback text");
    }
}
