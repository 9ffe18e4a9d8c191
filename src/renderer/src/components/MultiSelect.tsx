import { useEffect, useId, useMemo, useRef, useState } from 'react';

export interface MultiSelectOption<T extends string | number> {
  value: T;
  label: string;
  /** a short note after the label, e.g. "constant" or "192 cycles" */
  hint?: string;
  /** drawn in a muted style (still selectable) */
  muted?: boolean;
}

/** A drop-down list of checkboxes with a filter; the button sums up the selection. */
export function MultiSelect<T extends string | number>(props: {
  label: string;
  options: readonly MultiSelectOption<T>[];
  selected: readonly T[];
  onChange: (selected: T[]) => void;
  /** at most this many may be selected */
  max?: number;
  testId: string;
}) {
  const { options, selected, onChange, max } = props;
  const [open, setOpen] = useState(false);
  const [filter, setFilter] = useState('');
  const rootRef = useRef<HTMLDivElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const filterRef = useRef<HTMLInputElement>(null);
  const listId = useId();

  useEffect(() => {
    if (!open) return;
    filterRef.current?.focus();
    const onPointer = (e: PointerEvent) => {
      if (rootRef.current !== null && !rootRef.current.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('pointerdown', onPointer);
    return () => document.removeEventListener('pointerdown', onPointer);
  }, [open]);

  const selectedSet = useMemo(() => new Set<T>(selected), [selected]);
  const visible = useMemo(() => {
    const f = filter.trim().toLowerCase();
    return f === '' ? options : options.filter((o) => o.label.toLowerCase().includes(f));
  }, [options, filter]);

  const labelOf = (v: T) => options.find((o) => o.value === v)?.label ?? String(v);
  const summary =
    selected.length === 0
      ? 'None'
      : selected.length <= 3
        ? selected.map(labelOf).join(', ')
        : `${selected.slice(0, 2).map(labelOf).join(', ')} +${selected.length - 2}`;
  const atMax = max !== undefined && selected.length >= max;

  const toggle = (value: T) => {
    if (selectedSet.has(value)) onChange(selected.filter((v) => v !== value));
    else if (!atMax) onChange([...selected, value]);
  };

  return (
    <div
      className="multiselect"
      ref={rootRef}
      data-testid={props.testId}
      onKeyDown={(e) => {
        if (e.key === 'Escape' && open) {
          e.stopPropagation();
          setOpen(false);
          buttonRef.current?.focus();
        }
      }}
    >
      <span className="field-label">{props.label}</span>
      <button
        ref={buttonRef}
        type="button"
        className="multiselect__button"
        aria-haspopup="true"
        aria-expanded={open}
        aria-controls={listId}
        onClick={() => setOpen((o) => !o)}
        data-testid={`${props.testId}-button`}
        title={selected.map(labelOf).join(', ')}
      >
        <span className="multiselect__summary">{summary}</span>
        <span className="multiselect__count">{selected.length}</span>
        <span aria-hidden="true" className="multiselect__caret">
          ▾
        </span>
      </button>
      {open && (
        <div className="multiselect__popover" id={listId} role="group" aria-label={props.label}>
          <div className="multiselect__tools">
            <input
              ref={filterRef}
              type="search"
              className="input input--small"
              placeholder="Filter"
              aria-label={`Filter ${props.label.toLowerCase()}`}
              value={filter}
              onChange={(e) => setFilter(e.target.value)}
            />
            <button type="button" className="button button--quiet button--small" onClick={() => onChange([])}>
              Clear
            </button>
          </div>
          {max !== undefined && (
            <p className="multiselect__note">
              {selected.length} of at most {max} selected
            </p>
          )}
          <ul className="multiselect__list">
            {visible.map((o) => {
              const checked = selectedSet.has(o.value);
              return (
                <li key={String(o.value)}>
                  <label
                    className={
                      o.muted === true ? 'multiselect__option multiselect__option--muted' : 'multiselect__option'
                    }
                  >
                    <input
                      type="checkbox"
                      checked={checked}
                      disabled={!checked && atMax}
                      onChange={() => toggle(o.value)}
                      data-testid={`${props.testId}-option-${String(o.value)}`}
                    />
                    <span className="multiselect__label">{o.label}</span>
                    {o.hint !== undefined && <span className="multiselect__hint">{o.hint}</span>}
                  </label>
                </li>
              );
            })}
            {visible.length === 0 && <li className="multiselect__empty">No match</li>}
          </ul>
        </div>
      )}
    </div>
  );
}
