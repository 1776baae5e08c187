package dev.baton.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.runtime.annotations.RegisterForReflection;
import java.io.IOException;
import java.io.Reader;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The native image's registrations ({@link NativeImage}) cover what Jackson maps outside of the
 * REST layer's view, checked in JVM mode since no native build runs here: every class the store's
 * codec reads or writes, and everything those reach through record components and generic type
 * arguments; the bodies written by hand. And the resources the store loads are included.
 */
class NativeImageTest {

    /** Mapped by an ObjectMapper outside the REST resources' signatures (routes, filters, pub/sub). */
    private static final List<String> WRITTEN_BY_HAND = List.of(
            "dev.baton.api.ErrorBody", "dev.baton.events.WireEvent", "dev.baton.events.WireEvent$Notification");

    @Test
    void everyClassJacksonMapsOutsideTheRestLayerIsRegistered() throws ClassNotFoundException {
        Set<Class<?>> roots = new HashSet<>(codecTypes());
        for (String name : WRITTEN_BY_HAND) {
            roots.add(Class.forName(name));
        }
        Set<String> missing = new TreeSet<>();
        Set<String> registered = registered();
        for (Class<?> reached : reachable(roots)) {
            if (!registered.contains(reached.getName())) {
                missing.add(reached.getName());
            }
        }
        assertEquals(Set.of(), missing, "classes Jackson maps that config/NativeImage does not register for reflection");
    }

    @Test
    void theCodecsTypesAreFoundFromItsSignatures() throws ClassNotFoundException {
        Set<String> names = new TreeSet<>();
        codecTypes().forEach(type -> names.add(type.getSimpleName()));
        assertTrue(names.containsAll(Set.of("TaskRecord", "AgentRecord", "Batch", "TaskEvent")), names.toString());
    }

    @Test
    void everyRegisteredNameIsAClass() {
        for (String name : NativeImage.class.getAnnotation(RegisterForReflection.class).classNames()) {
            try {
                Class.forName(name);
            } catch (ClassNotFoundException e) {
                throw new AssertionError("config/NativeImage names " + name + ", which is no class", e);
            }
        }
    }

    @Test
    void theStoresLuaScriptsAreNativeResources() throws IOException {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(Path.of("src/main/resources/application.properties"))) {
            properties.load(reader);
        }
        String includes = properties.getProperty("quarkus.native.resources.includes", "");
        List<PathMatcher> globs = Arrays.stream(includes.split(",")).map(String::trim).filter(g -> !g.isEmpty())
                .map(glob -> FileSystems.getDefault().getPathMatcher("glob:" + glob)).toList();
        Path resources = Path.of("src/main/resources");
        try (Stream<Path> scripts = Files.list(resources.resolve("redis"))) {
            List<Path> all = scripts.map(resources::relativize).toList();
            assertTrue(!all.isEmpty());
            List<Path> left = all.stream().filter(script -> globs.stream().noneMatch(g -> g.matches(script))).toList();
            assertEquals(List.of(), left, "resources not covered by quarkus.native.resources.includes=" + includes);
        }
    }

    private static Set<String> registered() {
        RegisterForReflection registration = NativeImage.class.getAnnotation(RegisterForReflection.class);
        Set<String> names = new HashSet<>(Arrays.asList(registration.classNames()));
        Arrays.stream(registration.targets()).map(Class::getName).forEach(names::add);
        return names;
    }

    /** The types store.StoreCodec's methods take and return: what the store reads and writes as JSON. */
    private static Set<Class<?>> codecTypes() throws ClassNotFoundException {
        Set<Class<?>> types = new HashSet<>();
        for (Method method : Class.forName("dev.baton.store.StoreCodec").getDeclaredMethods()) {
            if (method.isSynthetic() || Modifier.isPrivate(method.getModifiers())) {
                continue;
            }
            collect(method.getGenericReturnType(), types);
            Arrays.stream(method.getGenericParameterTypes()).forEach(type -> collect(type, types));
        }
        types.remove(Class.forName("dev.baton.store.JsonBytes")); // the codec's own writer, which no mapper sees
        return types;
    }

    /** Baton's classes reached from {@code roots} through record components (with their type arguments). */
    private static Set<Class<?>> reachable(Set<Class<?>> roots) {
        Set<Class<?>> seen = new HashSet<>();
        Deque<Class<?>> todo = new ArrayDeque<>(roots);
        while (!todo.isEmpty()) {
            Class<?> type = todo.pop();
            if (!seen.add(type) || !type.isRecord()) {
                continue;
            }
            Set<Class<?>> next = new HashSet<>();
            for (RecordComponent component : type.getRecordComponents()) {
                collect(component.getGenericType(), next);
            }
            todo.addAll(next);
        }
        return seen;
    }

    /** Baton's classes named by {@code type}, its type arguments and its array elements. */
    private static void collect(Type type, Set<Class<?>> into) {
        if (type instanceof Class<?> c) {
            if (c.isArray()) {
                collect(c.getComponentType(), into);
            } else if (c.getName().startsWith("dev.baton.")) {
                into.add(c);
            }
        } else if (type instanceof ParameterizedType p) {
            collect(p.getRawType(), into);
            Arrays.stream(p.getActualTypeArguments()).forEach(argument -> collect(argument, into));
        } else if (type instanceof GenericArrayType a) {
            collect(a.getGenericComponentType(), into);
        }
    }
}
