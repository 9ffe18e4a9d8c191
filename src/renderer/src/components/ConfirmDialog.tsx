import { useEffect, useRef, type ReactNode } from 'react';

/** A modal confirmation built on <dialog>: focus stays inside, Escape cancels. */
export function ConfirmDialog(props: {
  open: boolean;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  danger?: boolean;
  busy?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const { open } = props;

  useEffect(() => {
    const dialog = ref.current;
    if (dialog === null) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);

  return (
    <dialog
      ref={ref}
      className="dialog"
      aria-labelledby="confirm-dialog-title"
      data-testid="confirm-dialog"
      onCancel={(e) => {
        e.preventDefault();
        props.onCancel();
      }}
    >
      <h2 id="confirm-dialog-title" className="dialog__title">
        {props.title}
      </h2>
      <div className="dialog__body">{props.children}</div>
      <div className="dialog__actions">
        <button type="button" className="button" onClick={props.onCancel} autoFocus>
          Cancel
        </button>
        <button
          type="button"
          className={props.danger === true ? 'button button--danger' : 'button button--primary'}
          onClick={props.onConfirm}
          disabled={props.busy === true}
          data-testid="confirm-dialog-confirm"
        >
          {props.confirmLabel}
        </button>
      </div>
    </dialog>
  );
}
