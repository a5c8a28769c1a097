// Original file: protos/streamplatform/v1/subscriptions.proto


// Original file: protos/streamplatform/v1/subscriptions.proto

export const _streamplatform_v1_Target_Kind = {
  KIND_UNSPECIFIED: 'KIND_UNSPECIFIED',
  CHANNEL: 'CHANNEL',
  EVENT: 'EVENT',
} as const;

export type _streamplatform_v1_Target_Kind =
  | 'KIND_UNSPECIFIED'
  | 0
  | 'CHANNEL'
  | 1
  | 'EVENT'
  | 2

export type _streamplatform_v1_Target_Kind__Output = typeof _streamplatform_v1_Target_Kind[keyof typeof _streamplatform_v1_Target_Kind]

export interface Target {
  'kind'?: (_streamplatform_v1_Target_Kind);
  'id'?: (string);
}

export interface Target__Output {
  'kind': (_streamplatform_v1_Target_Kind__Output);
  'id': (string);
}
