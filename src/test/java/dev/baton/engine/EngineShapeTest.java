package dev.baton.engine;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The engine's shape (docs/architecture.md, "Inside the engine"): one public entry point over
 * package-private owners, one writer of a task's status, no file a newcomer cannot hold in mind.
 */
class EngineShapeTest {

    static final JavaClasses ENGINE = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.baton.engine");

    static final List<String> OWNERS = List.of("TaskTable", "Statuses", "Timers", "AgentRegistry", "Waiters",
            "Dispatcher", "DependencyGraph", "Lifecycle", "LeaseChecks", "Snapshots", "Counters", "EventLog",
            "EngineLock", "Task", "Agent", "ReadyQueues", "ReadyQueue", "Scorer", "FinishedTasks", "Specs",
            "KeyLimits", "KeyPatterns", "RateBucket", "KeySlots", "Lane", "TaskChain");

    @Test
    void onlyTheStatusFunnelWritesATasksStatus() {
        noClasses().that().doNotHaveSimpleName("Statuses")
                .and().doNotHaveSimpleName("Task")        // its constructor: WAITING until placed
                .and().doNotHaveSimpleName("Snapshots")   // rebuild: a recovered task, before it is placed
                .should().setField(Task.class, "status")
                .because("Statuses.move checks the transition table and keeps every count in step")
                .check(ENGINE);
    }

    @Test
    void aTaskHoldsNoBoxedNumber() {
        List<String> boxed = Stream.of(Task.class.getDeclaredFields())
                .filter(f -> Number.class.isAssignableFrom(f.getType()) || f.getType() == Boolean.class)
                .map(f -> f.getName() + ": " + f.getType().getSimpleName())
                .toList();
        assertEquals(List.of(), boxed, "a finished task stays in memory through several young collections, which copy "
                + "every object it holds: its numbers are primitives (Task.NONE for a time not set)");
    }

    @Test
    void theOwnersArePackagePrivate() {
        classes().that().haveNameMatching("dev\\.baton\\.engine\\.(" + String.join("|", OWNERS) + ")").should().notBePublic()
                .because("only Coordinator is the engine's entry point").check(ENGINE);
    }

    @Test
    void noEngineFileIsLongerThan500LinesAndTheCoordinatorIsWellUnder() throws IOException {
        Map<String, Long> tooLong = new TreeMap<>();
        try (Stream<Path> files = Files.list(Path.of("src/main/java/dev/baton/engine"))) {
            for (Path file : files.toList()) {
                long lines;
                try (Stream<String> l = Files.lines(file)) {
                    lines = l.count();
                }
                long limit = file.getFileName().toString().equals("Coordinator.java") ? 460 : 500;
                if (lines > limit) {
                    tooLong.put(file.getFileName().toString(), lines);
                }
            }
        }
        assertEquals(Map.of(), tooLong, "engine files past their size: split them at data ownership");
    }
}
