package ai.aicrypto.plaza.platform;

import jakarta.servlet.http.HttpServletRequest;

/**
 * A value that rendered pages show wherever they are (the navbar's language link, the signed-in user). It is added
 * to the model only once a handler has chosen a view to render: a {@code @ControllerAdvice} model attribute is
 * instead computed on every request, JSON and streams included, which cost a sixth of a worker lease's CPU.
 */
public interface PageAttribute {

    /** The model attribute's name; a value the handler put there itself is kept. */
    String name();

    Object value(HttpServletRequest request);
}
