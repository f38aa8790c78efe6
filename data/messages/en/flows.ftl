# Online applications (办理): problem+json details.

err-not-found-flow = This service cannot be applied for online: it has no application steps.
err-flows-unavailable = Online applications are not available right now. Please try again later.
