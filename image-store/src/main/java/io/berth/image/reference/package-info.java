/** Image references ({@code [registry/]repository[:tag][@digest]}), parsed and normalised as Docker does. */
package io.berth.image.reference;
