package io.fasterapi.aio.tck;

import io.fasterapi.aio.AsyncIo;
import io.fasterapi.aio.BackendInfo;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.Extension;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestTemplateInvocationContext;
import org.junit.jupiter.api.extension.TestTemplateInvocationContextProvider;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Yields one invocation of a {@link ContractTest} per backend name, each with:
 * <ul>
 * <li>the display name {@code methodName[backend]};</li>
 * <li>an {@link ExecutionCondition} that disables it, with the provider's reason, when the provider
 *     is missing or unavailable here (so the skip is visible, never silent);</li>
 * <li>a {@link ParameterResolver} for {@link Backend};</li>
 * <li>an {@link AfterEachCallback} that closes loops the test left open and fails the test if a
 *     completion handler threw (assertions inside handlers run on the loop thread and would
 *     otherwise only reach the loop's uncaught handler).</li>
 * </ul>
 */
public final class BackendInvocations implements TestTemplateInvocationContextProvider {

    /** Every backend the contract is run against, in report order. */
    public static final List<String> BACKENDS = List.of("epoll", "io_uring", "kqueue", "iocp");

    private static volatile Map<String, BackendInfo> table;
    private static final java.util.Set<String> ANNOUNCED = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** What {@link AsyncIo#backends()} says, by name; probed once per JVM (providers cache it too). */
    static Map<String, BackendInfo> table() {
        Map<String, BackendInfo> t = table;
        if (t == null) {
            t = new LinkedHashMap<>();
            for (BackendInfo info : AsyncIo.backends()) {
                t.putIfAbsent(info.name(), info);
            }
            table = t;
        }
        return t;
    }

    /** Why {@code name} cannot run here, or {@code null} when it can. */
    static String whyNot(String name) {
        BackendInfo info = table().get(name);
        if (info == null) {
            return "no provider named '" + name + "' on the class path (found: " + table().keySet() + ")";
        }
        return info.available() ? null : info.reason();
    }

    @Override
    public boolean supportsTestTemplate(ExtensionContext context) {
        return context.getTestMethod().map(m -> m.isAnnotationPresent(ContractTest.class)).orElse(false);
    }

    @Override
    public Stream<TestTemplateInvocationContext> provideTestTemplateInvocationContexts(ExtensionContext context) {
        String method = context.getRequiredTestMethod().getName();
        return BACKENDS.stream().map(name -> new Invocation(method, name));
    }

    private record Invocation(String method, String backendName) implements TestTemplateInvocationContext {

        @Override
        public String getDisplayName(int invocationIndex) {
            return method + "[" + backendName + "]";
        }

        @Override
        public List<Extension> getAdditionalExtensions() {
            Backend backend = new Backend(backendName);
            ExecutionCondition condition = ctx -> {
                String why = whyNot(backendName);
                if (why == null) {
                    return ConditionEvaluationResult.enabled(backendName + " is available");
                }
                if (ANNOUNCED.add(backendName)) { // once per backend: the build log says what was not tested
                    System.out.println("[TCK] every contract case on " + backendName + " is SKIPPED: " + why);
                }
                return ConditionEvaluationResult.disabled(backendName + ": " + why);
            };
            ParameterResolver resolver = new ParameterResolver() {
                @Override
                public boolean supportsParameter(ParameterContext p, ExtensionContext e) {
                    return p.getParameter().getType() == Backend.class;
                }

                @Override
                public Object resolveParameter(ParameterContext p, ExtensionContext e) {
                    return backend;
                }
            };
            AfterEachCallback cleanUp = ctx -> backend.cleanUp();
            return List.of(condition, resolver, cleanUp);
        }
    }
}
