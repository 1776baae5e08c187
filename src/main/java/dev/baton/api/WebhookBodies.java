package dev.baton.api;

import dev.baton.engine.TaskView;
import dev.baton.webhooks.Webhooks;
import jakarta.inject.Singleton;

/** A webhook's body: the task's view exactly as {@code GET /v1/tasks/{id}} answers it. */
@Singleton
public class WebhookBodies implements Webhooks.Bodies {

    @Override
    public byte[] of(TaskView task) {
        return WireJson.utf8(WireJson.task(task));
    }
}
