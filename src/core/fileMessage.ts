/**
 * A file's stored message (why it could not be read, what was repaired)
 * begins with the file's name, so that it stands on its own where it is
 * shown alone (the ingest panel's list, a thrown error). Where the name is
 * already beside it (a table row, a header panel titled with the name, the
 * plan's reason), the name is dropped rather than said twice.
 */
export function messageBesideName(name: string, message: string | undefined): string | undefined {
  return message?.startsWith(`${name}: `) ? message.slice(name.length + 2) : message;
}
