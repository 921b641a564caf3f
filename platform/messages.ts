// The messages of OpenWhisk's error answers, word for word as OpenWhisk writes them.

export const Messages = {
  unauthorized: 'The supplied authentication is invalid',
  /** A web action's `require-whisk-auth` not met: the controller's bare 401, whose text is HTTP's default reason. */
  webActionUnauthorized: 'Authentication is possible but has failed or not yet been provided.',
  notAuthorized: 'The supplied authentication is not authorized to access this resource.',
  notFound: 'The requested resource does not exist.',
  conflict: 'resource already exists',
  conformance: 'Resource by this name exists but is not in this collection.',
  activationIdIllegal: 'The activation id is not valid.',
  entityNameIllegal: 'The name of the entity contains illegal characters.',
  urlIllegal: 'The request URL is not valid.',
  namespaceIllegal: 'The namespace contains illegal characters.',
  parametersNotAllowed: 'Request defines parameters that are not allowed (e.g., reserved properties).',
  tooManyRequests: (count: number, allowed: number) =>
    `Too many requests in the last minute (count: ${count}, allowed: ${allowed}).`,
  tooManyConcurrentRequests: (count: number, allowed: number) =>
    `Too many concurrent requests in flight (count: ${count}, allowed: ${allowed}).`,
  entityTooBig: (size: number, allowed: number) => `Request larger than allowed: ${size} > ${allowed} bytes.`,
  methodNotAllowed: (allowed: readonly string[]) => `HTTP method not allowed, supported methods: ${allowed.join(', ')}`,
  malformed: (detail: string) => `The request content was malformed:\n${detail}`,
  execUndefined: 'exec undefined',
  sequenceIsTooLong: 'Too many actions in the sequence.',
  sequenceIsCyclic: 'Sequence may not refer to itself.',
  sequenceComponentNotFound: 'Sequence component does not exist.',
  compositionIsTooLong: 'Too many actions in the composition.',
  compositionComponentInvalid: (value: unknown) =>
    `Failed to parse action name from json value ${JSON.stringify(value) ?? 'null'} during composition.`,
  compositionComponentNotFound: (name: string) => `Failed to resolve action with name '${name}' during composition.`,
  actionRemovedWhileInvoking: 'Action could not be found or may have been deleted.',
  notAllowedOnBinding: 'Operation not permitted on package binding.',
  packageNotEmpty: 'Package not empty (contains 1 or more entities).',
  bindingDoesNotExist: 'Binding references a package that does not exist.',
  bindingCannotReferenceBinding: 'Cannot bind to another package binding.',
  ruleStatusInvalid: 'Rule status is not recognized.',
  internal: 'The server encountered an internal error and was unable to complete your request.',
  invalidTimeout: (max: number) => `Timeout must be number of milliseconds up to ${max}.`,
  docsNotAllowedWithCount: "The parameter 'docs' is not permitted with 'count'.",
  listLimitOutOfRange: (collection: string, value: number, max: number) =>
    `The value '${value}' is not in the range of 0 to ${max} for ${collection}.`,
  listSkipOutOfRange: (collection: string, value: number) =>
    `The value '${value}' is not greater than or equal to 0 for ${collection}.`,
  argumentNotInteger: (collection: string, value: string) => `The value '${value}' is not an integer for ${collection}.`,
};
