package ai.aicrypto.plaza.platform;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A handler method called so often that its route is matched ahead of the app's others, among the few so marked
 * ({@link HotRouteMapping}). For routes with a variable in the path, which Spring MVC otherwise matches against every
 * mapping of the app in turn. Answers are unchanged: a request the marked routes do not fit is matched as before.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface HotRoute {
}
