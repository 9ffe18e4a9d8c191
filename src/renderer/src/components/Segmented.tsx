import { useId } from 'react';

export interface SegmentedOption<K extends string> {
  value: K;
  label: string;
  disabled?: boolean;
  title?: string;
}

/** A small group of mutually exclusive choices drawn as joined buttons (radio inputs underneath). */
export function Segmented<K extends string>(props: {
  legend: string;
  options: readonly SegmentedOption<K>[];
  value: K;
  onChange: (value: K) => void;
  testId: string;
}) {
  const name = useId();
  return (
    <fieldset className="segmented" data-testid={props.testId}>
      <legend className="field-label">{props.legend}</legend>
      <div className="segmented__options">
        {props.options.map((o) => (
          <label
            key={o.value}
            className={[
              'segmented__option',
              o.value === props.value ? 'is-active' : '',
              o.disabled === true ? 'is-disabled' : '',
            ]
              .filter((c) => c !== '')
              .join(' ')}
            title={o.title}
          >
            <input
              type="radio"
              name={name}
              value={o.value}
              checked={o.value === props.value}
              disabled={o.disabled}
              onChange={() => props.onChange(o.value)}
              data-testid={`${props.testId}-${o.value}`}
            />
            {o.label}
          </label>
        ))}
      </div>
    </fieldset>
  );
}
