package ai.aicrypto.plaza.dataset.format;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.text.MessageFormat;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

class MessagesTest {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{(\\d)}");

    private static Properties load(String name) throws IOException {
        Properties properties = new Properties();
        try (Reader in = new InputStreamReader(
                MessagesTest.class.getResourceAsStream("/i18n/" + name), StandardCharsets.UTF_8)) {
            properties.load(in);
        }
        return properties;
    }

    private static List<String> keys() {
        return java.util.stream.Stream.of(ErrorKeys.class, InvalidRecordException.class)
                .flatMap(type -> Arrays.stream(type.getDeclaredFields()))
                .filter(f -> Modifier.isStatic(f.getModifiers()) && f.getType() == String.class)
                .map(MessagesTest::value).toList();
    }

    private static String value(Field field) {
        try {
            return (String) field.get(null);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Set<String> placeholders(String message) {
        Set<String> found = new TreeSet<>();
        Matcher m = PLACEHOLDER.matcher(message);
        while (m.find()) {
            found.add(m.group(1));
        }
        return found;
    }

    @Test
    void everyKeyHasEnglishAndKoreanMessagesWithTheSamePlaceholders() throws IOException {
        Properties en = load("dataset-format.properties");
        Properties ko = load("dataset-format_ko.properties");

        assertThat(keys()).hasSize(57);
        assertThat(en.stringPropertyNames()).containsExactlyInAnyOrderElementsOf(keys());
        assertThat(ko.stringPropertyNames()).containsExactlyInAnyOrderElementsOf(keys());
        for (String key : keys()) {
            assertThat(ko.getProperty(key)).as(key).matches(".*[\\uAC00-\\uD7A3].*");
            assertThat(placeholders(ko.getProperty(key))).as(key).isEqualTo(placeholders(en.getProperty(key)));
        }
    }

    @Test
    void messagesFormatWithTheirArguments() throws IOException {
        Properties en = load("dataset-format.properties");
        Properties ko = load("dataset-format_ko.properties");
        Object[] args = {12L, 3, 2};

        assertThat(new MessageFormat(en.getProperty(ErrorKeys.RAGGED), Locale.ENGLISH).format(args))
                .isEqualTo("Line 12 has 2 values, but the header has 3 columns.");
        assertThat(new MessageFormat(ko.getProperty(ErrorKeys.RAGGED), Locale.KOREAN).format(args))
                .isEqualTo("12번째 줄의 값은 2개인데 헤더의 열은 3개입니다.");
    }
}
