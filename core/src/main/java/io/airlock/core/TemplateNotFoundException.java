package io.airlock.core;

/** No template is registered under the requested name. */
public class TemplateNotFoundException extends AirlockException {
    public TemplateNotFoundException(String name, java.util.Collection<String> known) {
        super("template '" + name + "' not found; known templates: " + String.join(", ", known));
    }
}
