package ai.aicrypto.plaza.model.card;

import java.text.MessageFormat;
import java.util.Locale;
import java.util.MissingResourceException;
import java.util.ResourceBundle;

/**
 * Renders {@link CardFieldError}s from {@code i18n/model-card*.properties} without Spring (workers, tests).
 * In the web app, register {@link #BUNDLE} as a {@code MessageSource} basename instead.
 */
public final class ModelCardMessages {

    /** Resource bundle base name, usable as a Spring {@code MessageSource} basename. */
    public static final String BUNDLE = "i18n/model-card";

    private ModelCardMessages() {
    }

    /** The localised message, or the error's English default message if the key is unknown. */
    public static String format(CardFieldError error, Locale locale) {
        ResourceBundle bundle = ResourceBundle.getBundle(BUNDLE, locale, ModelCardMessages.class.getClassLoader(),
                ResourceBundle.Control.getNoFallbackControl(ResourceBundle.Control.FORMAT_PROPERTIES));
        String pattern;
        try {
            pattern = bundle.getString(error.messageKey());
        } catch (MissingResourceException e) {
            return error.defaultMessage();
        }
        return new MessageFormat(pattern, locale).format(error.args());
    }
}
