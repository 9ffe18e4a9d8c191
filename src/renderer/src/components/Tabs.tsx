import { useRef, type KeyboardEvent } from 'react';

export interface TabItem<K extends string> {
  key: K;
  label: string;
}

/** A tab strip following the ARIA tabs pattern (arrow keys move between tabs). */
export function Tabs<K extends string>(props: {
  items: readonly TabItem<K>[];
  active: K;
  onChange: (key: K) => void;
  label: string;
  idPrefix: string;
}) {
  const refs = useRef(new Map<K, HTMLButtonElement>());
  const { items, active, onChange } = props;

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const index = items.findIndex((t) => t.key === active);
    let next = -1;
    if (e.key === 'ArrowRight') next = (index + 1) % items.length;
    else if (e.key === 'ArrowLeft') next = (index - 1 + items.length) % items.length;
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = items.length - 1;
    const target = items[next];
    if (target === undefined) return;
    e.preventDefault();
    onChange(target.key);
    refs.current.get(target.key)?.focus();
  };

  return (
    <div className="tabs" role="tablist" aria-label={props.label} onKeyDown={onKeyDown}>
      {items.map((t) => (
        <button
          key={t.key}
          ref={(el) => {
            if (el === null) refs.current.delete(t.key);
            else refs.current.set(t.key, el);
          }}
          type="button"
          role="tab"
          id={`${props.idPrefix}-tab-${t.key}`}
          aria-selected={t.key === active}
          aria-controls={`${props.idPrefix}-panel-${t.key}`}
          tabIndex={t.key === active ? 0 : -1}
          className={t.key === active ? 'tabs__tab tabs__tab--active' : 'tabs__tab'}
          onClick={() => onChange(t.key)}
          data-testid={`tab-${t.key}`}
        >
          {t.label}
        </button>
      ))}
    </div>
  );
}
