package io.berth.shell.cli;

import java.util.Set;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;
import jakarta.validation.executable.ExecutableValidator;
import jakarta.validation.metadata.BeanDescriptor;

/**
 * A Bean Validation {@link Validator} that finds nothing to complain about. Spring Shell validates
 * every command's arguments with Hibernate Validator when no Validator bean exists, and building
 * Hibernate Validator's factory costs a one-shot command a noticeable part of its start; Berth's
 * commands use no constraint annotations and check their arguments themselves, with one-line
 * errors.
 */
public class NoValidation implements Validator, ExecutableValidator {
    @Override
    public <T> Set<ConstraintViolation<T>> validate(T object, Class<?>... groups) {
        return Set.of();
    }

    @Override
    public <T> Set<ConstraintViolation<T>> validateProperty(T object, String propertyName, Class<?>... groups) {
        return Set.of();
    }

    @Override
    public <T> Set<ConstraintViolation<T>> validateValue(Class<T> beanType, String propertyName, Object value,
            Class<?>... groups) {
        return Set.of();
    }

    @Override
    public BeanDescriptor getConstraintsForClass(Class<?> clazz) {
        throw new UnsupportedOperationException("the console declares no constraints");
    }

    @Override
    public <T> T unwrap(Class<T> type) {
        throw new jakarta.validation.ValidationException("the console's validator wraps nothing");
    }

    @Override
    public ExecutableValidator forExecutables() {
        return this;
    }

    @Override
    public <T> Set<ConstraintViolation<T>> validateParameters(T object, java.lang.reflect.Method method,
            Object[] parameterValues, Class<?>... groups) {
        return Set.of();
    }

    @Override
    public <T> Set<ConstraintViolation<T>> validateReturnValue(T object, java.lang.reflect.Method method,
            Object returnValue, Class<?>... groups) {
        return Set.of();
    }

    @Override
    public <T> Set<ConstraintViolation<T>> validateConstructorParameters(java.lang.reflect.Constructor<? extends T> constructor,
            Object[] parameterValues, Class<?>... groups) {
        return Set.of();
    }

    @Override
    public <T> Set<ConstraintViolation<T>> validateConstructorReturnValue(java.lang.reflect.Constructor<? extends T> constructor,
            T createdObject, Class<?>... groups) {
        return Set.of();
    }
}
