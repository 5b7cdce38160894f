package io.berth.runtime.container;

public class ContainerNotFoundException extends ContainerException {
    private static final long serialVersionUID = 1L;

    public ContainerNotFoundException(String id) {
        super("container '" + id + "' does not exist");
    }
}
