package dev.baton;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The arrows between Baton's packages (docs/architecture.md, "Packages and the arrows between
 * them"): api, store, events, analytics → engine; webhooks → store, engine; config wires them;
 * nothing depends on api; the engine depends on none of Baton's other packages and on no framework.
 */
@AnalyzeClasses(packages = "dev.baton", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    @ArchTest
    static final ArchRule engineIsPureJava = noClasses().that().resideInAPackage("dev.baton.engine..")
            .should().dependOnClassesThat().resideInAnyPackage(
                    "io.quarkus..", "io.vertx..", "com.fasterxml.jackson..", "jakarta..", "javax..",
                    "io.smallrye..", "io.micrometer..", "redis..", "org.jboss..", "org.eclipse.microprofile..",
                    "dev.baton.api..", "dev.baton.store..", "dev.baton.events..", "dev.baton.config..")
            .because("the engine is pure Java: no framework, no I/O");

    @ArchTest
    static final ArchRule nothingDependsOnApi = noClasses().that().resideOutsideOfPackage("dev.baton.api..")
            .should().dependOnClassesThat().resideInAPackage("dev.baton.api..")
            .because("the HTTP surface is the outermost layer");

    @ArchTest
    static final ArchRule storeKnowsOnlyTheEngine = noClasses().that().resideInAPackage("dev.baton.store..")
            .should().dependOnClassesThat().resideInAnyPackage("dev.baton.api..", "dev.baton.config..", "dev.baton.events..")
            .because("the store implements the engine's persistence; config wires it, the API calls it");

    @ArchTest
    static final ArchRule eventsKnowOnlyTheEngine = noClasses().that().resideInAPackage("dev.baton.events..")
            .should().dependOnClassesThat().resideInAnyPackage("dev.baton.api..", "dev.baton.config..", "dev.baton.store..")
            .because("the fan-out reads the engine's events; config wires it, the API streams it");

    @ArchTest
    static final ArchRule analyticsKnowsOnlyTheEngine = noClasses().that().resideInAPackage("dev.baton.analytics..")
            .should().dependOnClassesThat().resideInAnyPackage("dev.baton.api..", "dev.baton.config..", "dev.baton.store..",
                    "dev.baton.events..", "io.vertx..", "io.quarkus..", "jakarta..")
            .because("the analytics reads the engine's events; config wires it, the store keeps its snapshot as text");

    @ArchTest
    static final ArchRule webhooksKnowOnlyTheStoreAndTheEngine = noClasses().that().resideInAPackage("dev.baton.webhooks..")
            .should().dependOnClassesThat().resideInAnyPackage("dev.baton.api..", "dev.baton.config..", "dev.baton.events..",
                    "dev.baton.analytics..", "io.quarkus..", "jakarta..")
            .because("the deliverer reads the store's outbox; config wires it, the API checks callbacks and renders bodies");

    /** Every class lives in one of the seven packages, so a new package has to be given its place here. */
    @ArchTest
    static final ArchRule everyClassHasALayer = classes().should().resideInAnyPackage(
            "dev.baton.analytics..", "dev.baton.api..", "dev.baton.config..", "dev.baton.engine..", "dev.baton.events..",
            "dev.baton.store..", "dev.baton.webhooks..")
            .because("the arrows below are stated for these seven packages");

    /**
     * The whole picture in one rule: who may use each package. The api may also use config (the
     * configuration tree, metrics), store (the durable wait, the finished-task read) and events
     * (the SSE hub) and analytics (the figures it serves) and webhooks (the callback allow-list);
     * config, the composition root, may use store, events, analytics and webhooks but not the api.
     * Webhooks use the store (the outbox) and the engine.
     */
    @ArchTest
    static final ArchRule allowedArrows = layeredArchitecture().consideringOnlyDependenciesInLayers()
            .layer("api").definedBy("dev.baton.api..")
            .layer("config").definedBy("dev.baton.config..")
            .layer("store").definedBy("dev.baton.store..")
            .layer("events").definedBy("dev.baton.events..")
            .layer("analytics").definedBy("dev.baton.analytics..")
            .layer("webhooks").definedBy("dev.baton.webhooks..")
            .layer("engine").definedBy("dev.baton.engine..")
            .whereLayer("api").mayNotBeAccessedByAnyLayer()
            .whereLayer("config").mayOnlyBeAccessedByLayers("api")
            .whereLayer("store").mayOnlyBeAccessedByLayers("api", "config", "webhooks")
            .whereLayer("webhooks").mayOnlyBeAccessedByLayers("api", "config")
            .whereLayer("events").mayOnlyBeAccessedByLayers("api", "config")
            .whereLayer("analytics").mayOnlyBeAccessedByLayers("api", "config")
            .whereLayer("engine").mayOnlyBeAccessedByLayers("api", "config", "store", "events", "analytics", "webhooks");

    @ArchTest
    static final ArchRule noCycles = slices().matching("dev.baton.(*)..").should().beFreeOfCycles();
}
