const TAIL = 16;

/**
 * A name that shrinks from the middle when space runs out, so its distinctive end stays readable
 * (the full name is in the tooltip unless the caller gives another).
 */
export function MiddleTruncate(props: { text: string; title?: string; className?: string }) {
  const { text } = props;
  const split = text.length > TAIL + 4 ? text.length - TAIL : text.length;
  return (
    <span
      className={props.className === undefined ? 'mid-trunc' : `mid-trunc ${props.className}`}
      title={props.title ?? text}
    >
      <span className="mid-trunc__head">{text.slice(0, split)}</span>
      {split < text.length && <span className="mid-trunc__tail">{text.slice(split)}</span>}
    </span>
  );
}
