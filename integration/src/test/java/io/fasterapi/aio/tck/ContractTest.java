package io.fasterapi.aio.tck;

import org.junit.jupiter.api.TestTemplate;
import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * One contract case, run once per backend ({@link BackendInvocations#BACKENDS}) as
 * {@code methodName[backend]}. The method takes a {@link Backend} parameter to create loops on.
 * An invocation whose backend is missing or unavailable here is reported as skipped, with the
 * provider's reason.
 */
@Documented
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@TestTemplate
@ExtendWith(BackendInvocations.class)
public @interface ContractTest {
}
