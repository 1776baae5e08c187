package dev.baton;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** The arrows of DESIGN §1: api, store, events → engine; the engine knows no framework. */
@AnalyzeClasses(packages = "dev.baton", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    @ArchTest
    static final ArchRule engineIsPureJava = noClasses().that().resideInAPackage("dev.baton.engine..")
            .should().dependOnClassesThat().resideInAnyPackage(
                    "io.quarkus..", "io.vertx..", "com.fasterxml.jackson..", "jakarta..", "javax..",
                    "io.smallrye..", "io.micrometer..", "redis..", "org.jboss..", "org.eclipse.microprofile..",
                    "dev.baton.api..", "dev.baton.store..", "dev.baton.events..", "dev.baton.config..")
            .because("the engine is pure Java: no framework, no I/O (DESIGN §1)");

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
}
