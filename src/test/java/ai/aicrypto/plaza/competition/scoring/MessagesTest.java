package ai.aicrypto.plaza.competition.scoring;

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

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{(\\d)[,}]");

    private static Properties load(String name) throws IOException {
        Properties properties = new Properties();
        try (Reader in = new InputStreamReader(
                MessagesTest.class.getResourceAsStream("/i18n/" + name), StandardCharsets.UTF_8)) {
            properties.load(in);
        }
        return properties;
    }

    private static List<String> keys() {
        return Arrays.stream(MessageKeys.class.getDeclaredFields())
                .filter(f -> Modifier.isStatic(f.getModifiers()) && f.getType() == String.class
                        && Modifier.isPublic(f.getModifiers()))
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
        Properties en = load("competition-scoring.properties");
        Properties ko = load("competition-scoring_ko.properties");

        assertThat(keys()).hasSize(45);
        assertThat(en.stringPropertyNames()).containsExactlyInAnyOrderElementsOf(keys());
        assertThat(ko.stringPropertyNames()).containsExactlyInAnyOrderElementsOf(keys());
        for (String key : keys()) {
            assertThat(ko.getProperty(key)).as(key).matches("(?s).*[\\uAC00-\\uD7A3].*");
            assertThat(placeholders(ko.getProperty(key))).as(key).isEqualTo(placeholders(en.getProperty(key)));
            Object[] args = {12_345L, "x", 3L, "y"};
            assertThat(new MessageFormat(en.getProperty(key), Locale.ENGLISH).format(args)).as(key).doesNotContain("{");
            assertThat(new MessageFormat(ko.getProperty(key), Locale.KOREAN).format(args)).as(key).doesNotContain("{");
        }
    }

    @Test
    void messagesFormatWithTheirArguments() throws IOException {
        Properties en = load("competition-scoring.properties");
        Properties ko = load("competition-scoring_ko.properties");
        Object[] duplicate = new Problem(MessageKeys.SUBMISSION_DUPLICATE_ID, List.of(12_345L, "row7", 3L)).arguments();

        assertThat(new MessageFormat(en.getProperty(MessageKeys.SUBMISSION_DUPLICATE_ID), Locale.ENGLISH)
                .format(duplicate))
                .isEqualTo("Line 12345: the id \"row7\" already appeared on line 3. Give exactly one prediction per id.");
        assertThat(new MessageFormat(ko.getProperty(MessageKeys.SUBMISSION_DUPLICATE_ID), Locale.KOREAN)
                .format(duplicate))
                .isEqualTo("12345번째 줄: id \"row7\"은(는) 이미 3번째 줄에 있습니다. id마다 예측은 하나만 제출해 주세요.");
        assertThat(new MessageFormat(en.getProperty(MessageKeys.SUBMISSION_MISSING_IDS), Locale.ENGLISH)
                .format(new Object[] {1500, "a, b"}))
                .isEqualTo("1,500 test ids have no prediction, for example: a, b");
        assertThat(new MessageFormat(ko.getProperty(MessageKeys.SOLUTION_SPLIT_SINGLE_CLASS), Locale.KOREAN)
                .format(new Object[] {1, "0", "ROC_AUC"}))
                .startsWith("이 분할에서는 비공개 부분에 클래스 \"0\"만 있습니다.");
    }
}
