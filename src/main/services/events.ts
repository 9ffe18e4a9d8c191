import type { EventName, EventPayload } from '../../shared/contract';

export type AnyEvent = { [E in EventName]: { name: E; payload: EventPayload<E> } }[EventName];
export type EventListener = (event: AnyEvent) => void;

/** Fan-out of app events to every transport (IPC window, SSE clients, CLI progress). */
export class EventBus {
  private readonly listeners = new Set<EventListener>();
  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  emit<E extends EventName>(name: E, payload: EventPayload<E>): void {
    const event = { name, payload } as AnyEvent;
    for (const l of this.listeners) l(event);
  }
}
